//! Seed 002's pagination: `page` (from 1), `per_page` (1..100, default 20), `sort_by` (one of the
//! route's allowed fields) and `order` (`asc` or `desc`), answered as `items, total, page,
//! per_page, pages`.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};

use super::ApiQuery;
use crate::ApiError;

pub const DEFAULT_PER_PAGE: u32 = 20;
pub const MAX_PER_PAGE: u32 = 100;

/// The fields a list may be sorted by, and the default.
pub trait SortKeys: Send + Sync + 'static {
    const ALLOWED: &'static [&'static str];
    const DEFAULT: &'static str;
    const DEFAULT_ORDER: Order = Order::Desc;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Order {
    Asc,
    Desc,
}

/// One page of a sorted list, as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<K> {
    pub page: u32,
    pub per_page: u32,
    /// One of `K::ALLOWED`.
    pub sort_by: &'static str,
    pub order: Order,
    keys: PhantomData<K>,
}

#[derive(Deserialize)]
struct PageQuery {
    page: Option<u32>,
    per_page: Option<u32>,
    sort_by: Option<String>,
    order: Option<Order>,
}

impl<K: SortKeys, S: Send + Sync> FromRequestParts<S> for Page<K> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ApiQuery(query) = ApiQuery::<PageQuery>::from_request_parts(parts, state).await?;
        let page = query.page.unwrap_or(1);
        if page == 0 {
            return Err(ApiError::validation("page", "must be at least 1"));
        }
        let per_page = query.per_page.unwrap_or(DEFAULT_PER_PAGE);
        if !(1..=MAX_PER_PAGE).contains(&per_page) {
            return Err(ApiError::validation("per_page", format!("must be between 1 and {MAX_PER_PAGE}")));
        }
        let sort_by = match query.sort_by {
            None => K::DEFAULT,
            Some(field) => K::ALLOWED
                .iter()
                .find(|allowed| **allowed == field)
                .ok_or_else(|| ApiError::validation("sort_by", format!("must be one of: {}", K::ALLOWED.join(", "))))?,
        };
        Ok(Page { page, per_page, sort_by, order: query.order.unwrap_or(K::DEFAULT_ORDER), keys: PhantomData })
    }
}

/// A page of a list, with where it sits in the whole.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Paginated<T> {
    pub items: Vec<T>,
    /// Items in the whole list.
    pub total: usize,
    pub page: u32,
    pub per_page: u32,
    /// Pages in the whole list (0 for an empty one).
    pub pages: u32,
}

impl<K> Page<K> {
    /// This page of `items`, already sorted as asked.
    pub fn of<T>(&self, items: Vec<T>) -> Paginated<T> {
        let total = items.len();
        let per_page = self.per_page as usize;
        let start = (self.page as usize - 1).saturating_mul(per_page);
        let items: Vec<T> = items.into_iter().skip(start).take(per_page).collect();
        let pages = u32::try_from(total.div_ceil(per_page)).unwrap_or(u32::MAX);
        Paginated { items, total, page: self.page, per_page: self.per_page, pages }
    }
}

#[cfg(feature = "openapi")]
impl<K: SortKeys> utoipa::IntoParams for Page<K> {
    fn into_params(
        parameter_in: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::ParameterBuilder;
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let parameter = |name: &str, description: &str, schema: ObjectBuilder| {
            ParameterBuilder::new()
                .name(name)
                .parameter_in(parameter_in().unwrap_or_default())
                .description(Some(description))
                .schema(Some(schema))
                .build()
        };
        let integer = |min: u32, max: Option<u32>, default: u32| {
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(min))
                .maximum(max)
                .default(Some(default.into()))
        };
        let text = |values: &[&str], default: &str| {
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(values.to_vec()))
                .default(Some(default.into()))
        };
        let order = match K::DEFAULT_ORDER {
            Order::Asc => "asc",
            Order::Desc => "desc",
        };
        vec![
            parameter("page", "The page, from 1.", integer(1, None, 1)),
            parameter("per_page", "Items per page.", integer(1, Some(MAX_PER_PAGE), DEFAULT_PER_PAGE)),
            parameter("sort_by", "The field to sort by.", text(K::ALLOWED, K::DEFAULT)),
            parameter("order", "Ascending or descending.", text(&["asc", "desc"], order)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;
    use serde_json::Value;

    #[derive(Debug)]
    struct ByName;
    impl SortKeys for ByName {
        const ALLOWED: &'static [&'static str] = &["name", "executions"];
        const DEFAULT: &'static str = "executions";
    }

    async fn page(uri: &str) -> Result<Page<ByName>, ApiError> {
        let (mut parts, ()) = Request::get(uri).body(()).expect("request").into_parts();
        Page::<ByName>::from_request_parts(&mut parts, &()).await
    }

    #[tokio::test]
    async fn defaults_and_limits_and_the_allow_list() {
        let default = page("/x").await.expect("page");
        assert_eq!(
            (default.page, default.per_page, default.sort_by, default.order),
            (1, 20, "executions", Order::Desc)
        );
        let asked = page("/x?page=3&per_page=100&sort_by=name&order=asc").await.expect("page");
        assert_eq!((asked.page, asked.per_page, asked.sort_by, asked.order), (3, 100, "name", Order::Asc));
        for (uri, field) in [
            ("/x?page=0", "page"),
            ("/x?page=-1", "page"),
            ("/x?per_page=101", "per_page"),
            ("/x?per_page=0", "per_page"),
            ("/x?sort_by=password", "sort_by"),
            ("/x?order=up", "order"),
        ] {
            let error = page(uri).await.expect_err(uri);
            assert_eq!(error.details.get("field").and_then(Value::as_str), Some(field), "{uri}");
        }
    }

    #[tokio::test]
    async fn a_page_slices_the_list_and_counts_the_pages() {
        let third = page("/x?page=3&per_page=2").await.expect("page").of((1..=5).collect::<Vec<_>>());
        assert_eq!((third.items, third.total, third.pages), (vec![5], 5, 3));
        let beyond = page("/x?page=9&per_page=2").await.expect("page").of((1..=5).collect::<Vec<_>>());
        assert!(beyond.items.is_empty());
        let empty = page("/x").await.expect("page").of(Vec::<u8>::new());
        assert_eq!((empty.total, empty.pages), (0, 0));
    }
}
