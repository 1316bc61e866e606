/**
 * The local store: RocksDB index and blob files, materialization, pins, eviction and crash
 * recovery (DESIGN.md, "The local store"). Filled in by the store issue.
 */
package dev.thawfs.store;
