export { loadConfig, type ServerConfig } from './config.js';
export { startServer, type RunningServer } from './server.js';
export { openStorage } from './open-storage.js';
