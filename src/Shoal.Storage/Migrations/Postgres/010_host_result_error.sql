-- Version 10: what a host's collector wrote to stderr (its last 4 KB), shown by shoal results HOST.
ALTER TABLE host_results ADD COLUMN error TEXT;
