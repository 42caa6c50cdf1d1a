// pg-cursor ships no types; Oxen only hands the class to Kysely's PostgresDialect.
declare module 'pg-cursor' {
  const Cursor: unknown;
  export default Cursor;
}
