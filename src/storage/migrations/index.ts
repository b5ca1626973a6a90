import type { Migration, MigrationProvider } from 'kysely';
import * as initial from './001-initial.js';

/**
 * Every migration, in order. Listed here rather than read from the folder so that the same list
 * runs from TypeScript sources and from the compiled build. Never edit one that has shipped: add
 * the next number.
 */
const MIGRATIONS: Record<string, Migration> = {
  '001-initial': initial,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
