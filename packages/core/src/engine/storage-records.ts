export * from '../ports/storage-records.js' // Moved to ports/ (issue 10); import from there.
