import 'reflect-metadata';
import { ConfigError, loadGatewayConfig, type GatewayConfig } from '@e2gate/config';
import { startGatewayApp } from './gateway.app.js';

function loadConfigOrExit(): GatewayConfig {
  try {
    return loadGatewayConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`gateway: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

await startGatewayApp(loadConfigOrExit());
