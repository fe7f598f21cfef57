/** Writes accepted municipal records of people who are not jobseekers to Koto-AJ (functions/records/write.ts). */
import { createRecordWriter } from '#functions/records/write';

export const handler = createRecordWriter('kotoaj');
