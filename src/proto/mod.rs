//! x402 wire types, one module per protocol version (Vara's reference speaks version 1).

pub mod v1;
