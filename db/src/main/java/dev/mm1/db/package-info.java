/**
 * Flyway migrations of the control-plane schema live in src/main/resources/db/migration.
 */
package dev.mm1.db;
