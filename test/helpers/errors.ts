import * as assert from 'uvu/assert';
import { FingerliftError } from '../../src/errors.js';

/** The FingerliftError code a promise rejects with ('no error' when it resolves); any other rejection fails the test. */
export async function errorCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'no error';
  } catch (e) {
    assert.instance(e, FingerliftError);
    return (e as FingerliftError).code;
  }
}
