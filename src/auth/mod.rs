//! Credentials of principals: password hashing now; sessions later join here.

pub mod password;
