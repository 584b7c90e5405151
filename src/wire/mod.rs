//! The AWS Query protocol on the wire: parameters in, XML out. Knows bytes, forms and XML
//! only — no axum, no store.

pub mod error;
pub mod marker;
pub mod params;
pub mod shapes;
pub mod validate;
pub mod xml;

pub use error::{ApiError, ErrorCode};
pub use params::Params;

/// The services answering on the Query endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Iam,
    Sts,
}

impl Service {
    pub fn namespace(self) -> &'static str {
        match self {
            Self::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
            Self::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
        }
    }
    pub fn version(self) -> &'static str {
        match self {
            Self::Iam => "2010-05-08",
            Self::Sts => "2011-06-15",
        }
    }
    /// The SigV4 credential-scope service name.
    pub fn signing_name(self) -> &'static str {
        match self {
            Self::Iam => "iam",
            Self::Sts => "sts",
        }
    }
    pub fn from_version(version: &str) -> Option<Self> {
        [Self::Iam, Self::Sts].into_iter().find(|s| s.version() == version)
    }
    pub fn from_signing_name(name: &str) -> Option<Self> {
        [Self::Iam, Self::Sts].into_iter().find(|s| s.signing_name() == name)
    }
}

/// botocore's service models, the authority on shapes and errors; `None` without botocore.
#[cfg(test)]
pub(crate) fn botocore_model(service: &str) -> Option<serde_json::Value> {
    let script = format!(
        "import json,botocore.loaders;print(json.dumps(botocore.loaders.Loader().load_service_model('{service}','service-2')))"
    );
    let out = std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
        .ok()?;
    serde_json::from_slice(&out.stdout).ok()
}
