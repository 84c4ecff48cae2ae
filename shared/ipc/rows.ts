/** The searchable fields of one entry, as the console shows them (shared by several channels). */
import { z } from 'zod';

const int = z.number().int().safe();
const nonNeg = int.nonnegative();
const nullableText = z.string().nullable();

export const searchRowSchema = z.strictObject({
  id: nonNeg,
  log: z.string(),
  index: nonNeg,
  time: int.nullable(),
  kind: z.string(),
  source: nullableText,
  category: nullableText,
  action: nullableText,
  outcome: nullableText,
  actor: nullableText,
  actorType: nullableText,
  actorRole: nullableText,
  ip: nullableText,
  target: nullableText,
  targetType: nullableText,
  subject: nullableText,
  severity: nullableText,
});
export type SearchRowDto = z.infer<typeof searchRowSchema>;
