import 'reflect-metadata';
import { loadConfigOrExit, loadGatewayConfig } from '@e2gate/config';
import { installCrashHandlers } from '@e2gate/observability';
import { startGatewayApp } from './gateway.app.js';

const config = loadConfigOrExit(loadGatewayConfig, 'gateway');
installCrashHandlers({ service: 'gateway', dataDir: config.dataDir });
await startGatewayApp(config);
