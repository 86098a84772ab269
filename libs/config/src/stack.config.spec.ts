import { describe, expect, it } from 'vitest';
import { GATEWAY_VARIABLES } from './gateway.config.js';
import { loadStackConfig, RECEIVER_VARIABLE_PREFIX, withoutReceiverVariables } from './stack.config.js';

describe('withoutReceiverVariables', () => {
  const launcherEnv = {
    PATH: '/usr/bin',
    NATS_URL: 'nats://127.0.0.1:4222',
    E2GATE_DATA_DIR: './data',
    E2GATE_RECEIVER_URL: 'http://root:hunter2@192.168.1.20',
    E2GATE_RECEIVER_USER: 'root',
    E2GATE_RECEIVER_PASSWORD: 'hunter2',
    E2GATE_RECEIVER_MAX_RPS: '10',
    E2GATE_API_TOKENS: 'admin:0123456789abcdef:admin',
  };

  it('drops every receiver variable and keeps the rest', () => {
    const env = withoutReceiverVariables(loadStackConfig(launcherEnv).env);
    expect(env).toEqual({
      PATH: '/usr/bin',
      NATS_URL: 'nats://127.0.0.1:4222',
      E2GATE_DATA_DIR: './data',
      E2GATE_API_TOKENS: 'admin:0123456789abcdef:admin',
    });
    expect(JSON.stringify(env)).not.toContain('hunter2');
  });

  it('never removes a variable the gateway reads', () => {
    expect(GATEWAY_VARIABLES.filter((name) => name.startsWith(RECEIVER_VARIABLE_PREFIX))).toEqual([]);
  });
});
