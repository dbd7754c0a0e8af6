//! The time a request asks about, in the three forms the seeds use: `start`/`end` query dates,
//! seed 000's body `date_range {start, end}`, and seed 004's `period`. Each becomes a
//! [`RequestedRange`], which the view resolves in the workspace's zone (it reads the workspace
//! anyway); everything that can be checked without the zone is checked here, naming the field.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use domain::time::{DateRange, Period, RequestedRange};
use jiff::civil::Date;
use serde::Deserialize;

use super::ApiQuery;
use crate::ApiError;

/// `start` and `end`: local dates (`YYYY-MM-DD`), inclusive, at most 400 days apart.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct DatesQuery {
    /// First local day, inclusive; by default as many days before `end` as the view covers.
    #[cfg_attr(feature = "openapi", param(example = "2025-01-01"))]
    pub start: Option<Date>,
    /// Last local day, inclusive; by default today in the workspace's zone.
    #[cfg_attr(feature = "openapi", param(example = "2025-01-31"))]
    pub end: Option<Date>,
}

impl DatesQuery {
    /// Whether neither bound was given: the view's default range.
    pub fn is_default(&self) -> bool {
        self.start.is_none() && self.end.is_none()
    }

    pub fn requested(&self) -> RequestedRange {
        RequestedRange::Dates { start: self.start, end: self.end }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for DatesQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiQuery(dates) = ApiQuery::<DatesQuery>::from_request_parts(parts, state).await?;
        if let (Some(start), Some(end)) = (dates.start, dates.end) {
            DateRange::new(start, end).map_err(|error| ApiError::validation("start", error.to_string()))?;
        }
        Ok(dates)
    }
}

/// `period`: `1h`, `24h`, `7d`, `30d` or `90d` back from now.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
pub struct PeriodQuery {
    /// How far back from now; the route says its default.
    #[cfg_attr(feature = "openapi", param(inline))]
    pub period: Option<Period>,
}

impl PeriodQuery {
    /// The period asked for, else `default`.
    pub fn or(&self, default: Period) -> RequestedRange {
        RequestedRange::Last(self.period.unwrap_or(default))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PeriodQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        ApiQuery::<PeriodQuery>::from_request_parts(parts, state).await.map(|ApiQuery(period)| period)
    }
}

/// Seed 000's `date_range` in a JSON body: both dates required, checked as it is read (a body
/// field that is wrong is named by its path, `date_range`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "Bounds")]
pub struct DateRangeBody {
    /// First local day, inclusive.
    pub start: Date,
    /// Last local day, inclusive; at most 400 days after `start`.
    pub end: Date,
}

#[derive(Deserialize)]
struct Bounds {
    start: Date,
    end: Date,
}

impl TryFrom<Bounds> for DateRangeBody {
    type Error = String;

    fn try_from(Bounds { start, end }: Bounds) -> Result<Self, String> {
        DateRange::new(start, end).map(|_| DateRangeBody { start, end }).map_err(|error| error.to_string())
    }
}

impl DateRangeBody {
    pub fn requested(&self) -> RequestedRange {
        RequestedRange::Dates { start: Some(self.start), end: Some(self.end) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::ApiJson;
    use axum::extract::FromRequest;
    use axum::http::Request;
    use serde_json::Value;

    async fn query<T: FromRequestParts<()>>(uri: &str) -> Result<T, T::Rejection> {
        let (mut parts, ()) = Request::get(uri).body(()).expect("request").into_parts();
        T::from_request_parts(&mut parts, &()).await
    }

    fn field(error: ApiError) -> String {
        error.details.get("field").and_then(Value::as_str).unwrap_or_default().to_owned()
    }

    #[tokio::test]
    async fn dates_name_the_bound_that_is_wrong() {
        let ok: DatesQuery = query("/x?start=2025-01-01&end=2025-01-31").await.expect("range");
        assert_eq!(ok.requested(), RequestedRange::Dates { start: ok.start, end: ok.end });
        assert!(query::<DatesQuery>("/x").await.expect("none").is_default());
        for (uri, name) in [
            ("/x?start=yesterday", "start"),
            ("/x?end=2025-13-01", "end"),
            ("/x?start=2025-02-01&end=2025-01-01", "start"),
            ("/x?start=2024-01-01&end=2025-03-01", "start"),
        ] {
            assert_eq!(field(query::<DatesQuery>(uri).await.expect_err(uri)), name, "{uri}");
        }
    }

    #[tokio::test]
    async fn a_period_is_one_of_five_spans() {
        let week: PeriodQuery = query("/x?period=7d").await.expect("period");
        assert_eq!(week.or(Period::Month), RequestedRange::Last(Period::Week));
        let default: PeriodQuery = query("/x").await.expect("none");
        assert_eq!(default.or(Period::Month), RequestedRange::Last(Period::Month));
        assert_eq!(field(query::<PeriodQuery>("/x?period=2w").await.expect_err("2w")), "period");
    }

    #[derive(Deserialize)]
    struct Body {
        #[allow(dead_code)]
        date_range: DateRangeBody,
    }

    #[tokio::test]
    async fn a_body_date_range_is_checked_as_it_is_read() {
        let read = |text: &'static str| async move {
            let request =
                Request::post("/x").header("content-type", "application/json").body(axum::body::Body::from(text));
            ApiJson::<Body>::from_request(request.expect("request"), &()).await
        };
        assert!(read(r#"{"date_range": {"start": "2025-01-01", "end": "2025-01-31"}}"#).await.is_ok());
        for bad in [
            r#"{"date_range": {"start": "2025-02-01", "end": "2025-01-01"}}"#,
            r#"{"date_range": {"start": "2023-01-01", "end": "2025-01-01"}}"#,
        ] {
            assert_eq!(field(read(bad).await.err().expect(bad)), "date_range", "{bad}");
        }
        assert_eq!(
            field(read(r#"{"date_range": {"start": "2025-01-01"}}"#).await.err().expect("end")),
            "date_range.end"
        );
        assert_eq!(field(read(r#"{}"#).await.err().expect("none")), "date_range", "a missing field is named");
        assert_eq!(
            field(read(r#"{"date_range": {"start": "soon", "end": "2025-01-01"}}"#).await.err().expect("soon")),
            "date_range.start"
        );
    }
}
