/** One versioned schema change (see migrations.ts, which applies them in order). */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
