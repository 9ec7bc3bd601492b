/**
 * Every test of tftp-server.test.ts again, with read transfers sent by two worker
 * threads (`workers: 2`) instead of the main thread: the same files, options, busy
 * answers and counters must come out.
 */
process.env['BENCHBOOT_TEST_TFTP_WORKERS'] = '2';
await import('./tftp-server.test.js');
