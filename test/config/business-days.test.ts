import assert from 'node:assert/strict';
import { parseDays } from '../../src/config/settings';

describe('config: BUSINESS_DAYS', () => {
  const parse = (raw: string) => {
    const problems: string[] = [];
    return { days: parseDays(raw, (p: string) => problems.push(p)), problems };
  };

  it('reads ranges, wrapping ranges, the whole week and lists', () => {
    assert.deepEqual(parse('mon-fri').days, [1, 2, 3, 4, 5]);
    assert.deepEqual(parse('sun-thu').days, [1, 2, 3, 4, 7]);
    assert.deepEqual(parse('mon-sun').days, [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(parse('sat-fri').days, [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(parse('mon,wed,fri').days, [1, 3, 5]);
    assert.deepEqual(parse('tue').days, [2]);
  });

  it('names a value it cannot read', () => {
    const { days, problems } = parse('weekdays');
    assert.deepEqual(days, []);
    assert.match(problems[0]!, /BUSINESS_DAYS: "weekdays"/);
  });
});
