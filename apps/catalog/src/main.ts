import 'reflect-metadata';
import { loadCatalogConfig, loadConfigOrExit } from '@e2gate/config';
import { startCatalogApp } from './catalog.app.js';

await startCatalogApp(loadConfigOrExit(loadCatalogConfig, 'catalog'));
