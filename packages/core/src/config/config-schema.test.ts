import { describe, expect, it } from 'vitest';
import { ConfigSchema } from './config-schema.ts';

describe('ConfigSchema', () => {
  it('accepts a DOCSight config with strings where flags and numbers are expected', () => {
    const config = {
      modem_type: 'fritzbox',
      demo_mode: 'false',
      poll_interval: '900',
      backup_enabled: true,
      dismissed_notice_ids: ['n1'],
      community_module_setting: { nested: [1, 2] },
    };
    expect(ConfigSchema.parse(config)).toEqual(config);
  });

  it('rejects a text key holding a number and a non-JSON value', () => {
    expect(ConfigSchema.safeParse({ modem_type: 7 }).success).toBe(false);
    expect(ConfigSchema.safeParse({ other: () => 1 }).success).toBe(false);
    expect(ConfigSchema.safeParse({ backup_path: ['x'] }).success).toBe(false);
  });
});
