import { describe, expect, it } from 'vitest';
import { classifyMemberName, printableMemberName } from './archive-member-name.ts';

describe('classifyMemberName', () => {
  it.each([
    ['config.json', 'config.json'],
    ['./config.json', 'config.json'],
    ['././.config_key', '.config_key'],
    ['a..b', 'a..b'],
    ['sub/dir/file', 'sub/dir/file'],
  ])('accepts %j as the safe name %j', (raw, name) => {
    expect(classifyMemberName(raw, false)).toEqual({ kind: 'safe', name });
  });

  it.each([
    ['../etc/passwd', '".." component'],
    ['a/../../b', '".." component'],
    ['sub/..', '".." component'],
    ['/etc/passwd', 'absolute path'],
    ['..\\evil', 'backslash in name'],
    ['C:/Windows', 'drive letter'],
    ['c:config.json', 'drive letter'],
    ['config.json\u0000.txt', 'control character in name'],
    ['config\n.json', 'control character in name'],
    ['', 'empty name'],
  ])('rejects %j (%s)', (raw, reason) => {
    expect(classifyMemberName(raw, false)).toEqual({ kind: 'unsafe', reason });
  });

  it('treats the ./ entry GNU tar writes first as the archive root', () => {
    expect(classifyMemberName('./', true)).toEqual({ kind: 'root' });
    expect(classifyMemberName('.', true)).toEqual({ kind: 'root' });
  });

  it('drops the trailing slash of a directory name', () => {
    expect(classifyMemberName('docsis_history.db/', true)).toEqual({ kind: 'safe', name: 'docsis_history.db' });
  });

  it('makes control characters visible in messages', () => {
    expect(printableMemberName('a\u0007b\nc')).toBe('a\\u0007b\\u000ac');
  });
});
