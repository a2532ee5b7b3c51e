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

/** The FingerliftError a promise rejects with; a resolution or any other rejection fails the test. */
export async function rejection(p: Promise<unknown>): Promise<FingerliftError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, FingerliftError);
    return e as FingerliftError;
  }
  throw new assert.Assertion({ message: 'resolved, expected a FingerliftError', operator: 'rejects', expects: 'an error', actual: 'resolved' });
}
