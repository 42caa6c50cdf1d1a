/**
 * A loop outside the test file, allow-listed by callsite in n-plus-one.test.ts
 * (`allow: ['test/relations/n-plus-one-helper.ts']`).
 */
export async function loadEach(instances: readonly { load(...paths: string[]): Promise<unknown> }[], relation: string): Promise<void> {
  for (const instance of instances) await instance.load(relation);
}
