// SIDs: Twilio's pattern (two letters, 32 hex digits), never the same twice, and the ordered ones
// sorting in the order they were made. 10,000 of each draw the random pool empty many times over.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSid, newOrderedSid, newSid, SID_PREFIX } from '../../src/sids.js';

const COUNT = 10_000;

test('new SIDs match the pattern and never repeat', () => {
  const sids = Array.from({ length: COUNT }, (_, i) => newSid(i % 2 ? SID_PREFIX.message : SID_PREFIX.webhook));
  for (const sid of sids) assert.ok(isSid(sid.startsWith('SM') ? SID_PREFIX.message : SID_PREFIX.webhook, sid), sid);
  assert.equal(new Set(sids).size, COUNT);
  // The random part is random: every hex digit turns up in every position of the tail.
  for (let position = 2; position < 34; position++) assert.equal(new Set(sids.map((sid) => sid[position])).size, 16, `position ${position}`);
});

test('ordered SIDs match the pattern, never repeat, and sort in the order they were made', () => {
  const sids = Array.from({ length: COUNT }, () => newOrderedSid(SID_PREFIX.message));
  for (const sid of sids) assert.ok(isSid(SID_PREFIX.message, sid), sid);
  assert.equal(new Set(sids).size, COUNT);
  assert.deepEqual([...sids].sort(), sids);
  for (let position = 18; position < 34; position++) assert.equal(new Set(sids.map((sid) => sid[position])).size, 16, `position ${position}`);
});
