#![no_std]
#![no_main]
#![deny(unsafe_code)]

use ucontain as _;
