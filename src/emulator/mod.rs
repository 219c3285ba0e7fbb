//! The local DMS emulator (being written).
