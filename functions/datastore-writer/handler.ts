/** Writes accepted municipal records of jobseekers to the employment services data store (functions/records/write.ts). */
import { createRecordWriter } from '#functions/records/write';

export const handler = createRecordWriter('datastore');
