import 'reflect-metadata';
import { loadConfigOrExit, loadGatewayConfig } from '@e2gate/config';
import { startGatewayApp } from './gateway.app.js';

await startGatewayApp(loadConfigOrExit(loadGatewayConfig, 'gateway'));
