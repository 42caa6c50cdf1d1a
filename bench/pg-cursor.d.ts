// pg-cursor ships no types; the benchmark uses its constructor and read()/close() only.
declare module 'pg-cursor' {
  const Cursor: any;
  export default Cursor;
}
