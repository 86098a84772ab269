import 'reflect-metadata';
import { ConfigError, loadCatalogConfig, type CatalogConfig } from '@e2gate/config';
import { startCatalogApp } from './catalog.app.js';

function loadConfigOrExit(): CatalogConfig {
  try {
    return loadCatalogConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`catalog: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

await startCatalogApp(loadConfigOrExit());
