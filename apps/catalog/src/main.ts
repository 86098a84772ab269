import 'reflect-metadata';
import { loadCatalogConfig, loadConfigOrExit } from '@e2gate/config';
import { installCrashHandlers } from '@e2gate/observability';
import { startCatalogApp } from './catalog.app.js';

const config = loadConfigOrExit(loadCatalogConfig, 'catalog');
installCrashHandlers({ service: 'catalog', dataDir: config.dataDir });
await startCatalogApp(config);
