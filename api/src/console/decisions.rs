//! `POST /console/decisions/{name}`: a decision form, submitted. The session's CSRF token
//! is checked, then the decision goes through the engine exactly as the GraphQL mutation
//! does: the same role lists, the same input parsers, the form's `commandId` (minted when
//! the page was rendered, so a double submit records once) and the same error map.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use liangye_services::decide::Command;
use liangye_services::engine::{EngineError, Submission};
use uuid::Uuid;

use super::forms::{DecisionForm, Scope, Values, find};
use super::pages::{refused_form, render_applications, render_unit, render_units};
use super::views::Refusal;
use super::{Console, Staff, check_csrf, message};
use crate::graphql::error::ApiError;

pub async fn submit(
    State(console): State<Console>,
    staff: Staff,
    Path(name): Path<String>,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(response) = check_csrf(&staff, &form) {
        return *response;
    }
    let Some(decision) = find(&name) else {
        return message(
            StatusCode::NOT_FOUND,
            staff.chrome(""),
            "未找到",
            "没有这种决定。",
        );
    };
    // The same role lists the GraphQL mutations require; the engine checks again.
    if !decision.allows(staff.principal.role) {
        return message(
            StatusCode::FORBIDDEN,
            staff.chrome(""),
            "无权进行此操作",
            &format!(
                "{}不能记录“{}”。",
                staff.principal.role.label_zh(),
                decision.title
            ),
        );
    }
    let values = Values::new(form);
    let unit = values
        .text("designationId")
        .and_then(|v| Uuid::try_parse(&v).ok());
    let command_id = values.text("commandId").and_then(|v| Uuid::try_parse(&v).ok());
    let built = values
        .common()
        .and_then(|common| (decision.build)(&values, unit, common));
    let outcome = match built {
        Ok(command) => decide(&console, &staff, command, command_id).await,
        Err(e) => Err(Refusal::of_engine(EngineError::Rejected(e))),
    };
    match outcome {
        Ok((position, duplicate, recorded_unit)) => {
            let dup = if duplicate { "&duplicate=1" } else { "" };
            let target = match (decision.scope, recorded_unit.or(unit)) {
                (Scope::Year, _) => format!(
                    "/console/applications?year={}&recorded={position}{dup}",
                    values.raw("year").trim()
                ),
                (_, Some(id)) => format!("/console/units/{id}?recorded={position}{dup}"),
                (_, None) => format!("/console/units?recorded={position}{dup}"),
            };
            Redirect::to(&target).into_response()
        }
        Err(refusal) => refused(&console, &staff, decision, unit, &values, refusal).await,
    }
}

/// Decide through the engine and wait until the live registry holds the result, so the
/// page the browser is sent to shows it.
async fn decide(
    console: &Console,
    staff: &Staff,
    command: Command,
    command_id: Option<Uuid>,
) -> Result<(i64, bool, Option<Uuid>), Refusal> {
    let mut submission = Submission::new(command, staff.principal.clone());
    submission.command_id = command_id;
    let decided = console
        .app
        .engine
        .submit(submission)
        .await
        .map_err(Refusal::of_engine)?;
    console.app.metrics.decisions.inc();
    console
        .app
        .live
        .wait_for(decided.position)
        .await
        .map_err(|e| Refusal::of_api(ApiError::from(e)))?;
    Ok((decided.position, decided.duplicate, decided.designation_id))
}

/// The page the form came from, with the form showing why it was refused.
async fn refused(
    console: &Console,
    staff: &Staff,
    decision: &'static DecisionForm,
    unit: Option<Uuid>,
    values: &Values,
    refusal: Refusal,
) -> Response {
    let forbidden = refusal.is_forbidden();
    let query = HashMap::new();
    let form = refused_form(decision, staff, values, refusal);
    let mut response = match (decision.scope, unit) {
        (Scope::Unit(_), Some(id)) => {
            // The page shows no form to a user it refuses (another city's unit): show the
            // refusal on its own then.
            if forbidden {
                let text = form.error.as_ref().map_or_else(String::new, |e| {
                    format!(
                        "您的角色不能对该单位记录“{}”（设区市只能推荐本市单位）。详情：{}",
                        decision.title, e.message
                    )
                });
                return message(
                    StatusCode::FORBIDDEN,
                    staff.chrome("units"),
                    "无权进行此操作",
                    &text,
                );
            }
            render_unit(console, staff, id, &query, Some((decision.name, form))).await
        }
        (Scope::Year, _) => render_applications(console, staff, &query, Some(form)).await,
        _ => render_units(console, staff, &query, Some(form)).await,
    };
    if forbidden {
        *response.status_mut() = StatusCode::FORBIDDEN;
    }
    response
}
