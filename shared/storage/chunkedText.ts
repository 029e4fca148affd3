/** Table Storage string properties hold at most 64 KiB: 32K UTF-16 characters. */
export const CHARS_PER_PROPERTY = 30_000;

/**
 * Spreads a long text over properties `<prefix>0`, `<prefix>1`, … of an entity, with the count
 * in `<prefix>Count`. Callers keep the whole entity under the 1 MiB limit (≈ 15 properties).
 */
export function textToProperties(text: string, prefix: string): Record<string, string | number> {
  const properties: Record<string, string | number> = {};
  let count = 0;
  for (let i = 0; i < text.length; i += CHARS_PER_PROPERTY) {
    properties[`${prefix}${count}`] = text.slice(i, i + CHARS_PER_PROPERTY);
    count += 1;
  }
  properties[`${prefix}Count`] = count;
  return properties;
}

/** Inverse of textToProperties; throws when a property is missing (a cut or foreign entity). */
export function textFromProperties(entity: { partitionKey?: string; rowKey?: string; [property: string]: unknown }, prefix: string): string {
  const count = Number(entity[`${prefix}Count`] ?? 0);
  let text = '';
  for (let i = 0; i < count; i += 1) {
    const part = entity[`${prefix}${i}`];
    if (typeof part !== 'string') throw new Error(`entity ${entity.partitionKey ?? '?'}/${entity.rowKey ?? '?'} lacks property ${prefix}${i}`);
    text += part;
  }
  return text;
}
