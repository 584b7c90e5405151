//! AWS protocols on the wire: the Query protocol (parameters in, XML out) for IAM and STS,
//! and JSON 1.1 for CloudTrail. Knows bytes, forms, XML and JSON only — no axum, no store.

pub mod error;
pub mod json;
pub mod marker;
pub mod params;
pub mod shapes;
pub mod validate;
pub mod xml;

pub use error::{ApiError, ErrorCode};
pub use params::Params;

/// The services answering on the API endpoint: IAM and STS over the Query protocol,
/// CloudTrail over JSON 1.1 (`cloudtrail.md` §8.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Iam,
    Sts,
    CloudTrail,
}

/// The services a Query request may address; CloudTrail answers JSON calls only.
const QUERY_SERVICES: [Service; 2] = [Service::Iam, Service::Sts];

impl Service {
    pub fn namespace(self) -> &'static str {
        match self {
            Self::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
            Self::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
            Self::CloudTrail => "https://cloudtrail.amazonaws.com/doc/2013-11-01/",
        }
    }
    pub fn version(self) -> &'static str {
        match self {
            Self::Iam => "2010-05-08",
            Self::Sts => "2011-06-15",
            Self::CloudTrail => "2013-11-01",
        }
    }
    /// The SigV4 credential-scope service name.
    pub fn signing_name(self) -> &'static str {
        match self {
            Self::Iam => "iam",
            Self::Sts => "sts",
            Self::CloudTrail => "cloudtrail",
        }
    }
    /// The Query service a `Version` parameter selects (`wire-protocol.md` §1).
    pub fn from_version(version: &str) -> Option<Self> {
        QUERY_SERVICES.into_iter().find(|s| s.version() == version)
    }
    /// The Query service a credential scope names (`wire-protocol.md` §1).
    pub fn from_signing_name(name: &str) -> Option<Self> {
        QUERY_SERVICES.into_iter().find(|s| s.signing_name() == name)
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
