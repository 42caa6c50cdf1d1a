// pg-cursor ships no types; Oxen's PostgreSQL driver (src/dialects/postgres/pg-driver.ts) only constructs the class.
declare module 'pg-cursor' {
  const Cursor: unknown;
  export default Cursor;
}
