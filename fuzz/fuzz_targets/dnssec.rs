#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| r53_fuzz::dnssec(data));
