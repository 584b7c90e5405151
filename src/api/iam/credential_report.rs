//! GenerateCredentialReport and GetCredentialReport (`iam-mfa.md` §5.10). Reports are built
//! synchronously; the first call still answers `STARTED`, as AWS's does.

use crate::api::action::Action;
use crate::api::{Caller, Ctx, Operation};
use crate::domain::CredentialReport;
use crate::domain::credential_report::{REPORT_LIFETIME_SECONDS, build_csv};
use crate::wire::xml::{Xml, timestamp};
use crate::wire::{ApiError, ErrorCode, Params};
use async_trait::async_trait;

fn is_fresh(report: &CredentialReport, ctx: &Ctx<'_>) -> bool {
    (ctx.now - report.generated_at).whole_seconds() < REPORT_LIFETIME_SECONDS
}

pub struct GenerateCredentialReport;

#[async_trait]
impl Operation for GenerateCredentialReport {
    const ACTION: Action = Action::GenerateCredentialReport;

    fn parse(_params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        Ok(Self)
    }

    fn resource(&self, _caller: &Caller) -> String {
        "*".into()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let account = ctx.caller.principal.account_id();
        let latest = ctx.state.store.latest_credential_report(account).await?;
        let mut xml = Xml::new();
        if latest.as_ref().is_some_and(|report| is_fresh(report, ctx)) {
            xml.leaf("State", "COMPLETE");
            return Ok(Some(xml));
        }
        let rows = ctx.state.store.credential_report_rows(account).await?;
        let report = CredentialReport {
            generated_at: ctx.now,
            csv: build_csv(account, &rows),
        };
        ctx.state.store.save_credential_report(account, report).await?;
        xml.leaf("State", "STARTED")
            .leaf("Description", "No report exists. Starting a new report generation task");
        Ok(Some(xml))
    }
}

pub struct GetCredentialReport;

#[async_trait]
impl Operation for GetCredentialReport {
    const ACTION: Action = Action::GetCredentialReport;

    fn parse(_params: &Params, _caller: &Caller) -> Result<Self, ApiError> {
        Ok(Self)
    }

    fn resource(&self, _caller: &Caller) -> String {
        "*".into()
    }

    async fn run(self, ctx: &Ctx<'_>) -> Result<Option<Xml>, ApiError> {
        let report = ctx
            .state
            .store
            .latest_credential_report(ctx.caller.principal.account_id())
            .await?;
        let report = report.ok_or_else(|| {
            ApiError::new(
                ErrorCode::ReportNotPresent,
                "Credential report not present. Call GenerateCredentialReport first.",
            )
        })?;
        if !is_fresh(&report, ctx) {
            return Err(ApiError::new(
                ErrorCode::ReportExpired,
                "Credential report expired. Call GenerateCredentialReport again.",
            ));
        }
        let mut xml = Xml::new();
        xml.leaf("Content", &data_encoding::BASE64.encode(&report.csv))
            .leaf("ReportFormat", "text/csv")
            .leaf("GeneratedTime", &timestamp(report.generated_at));
        Ok(Some(xml))
    }
}
