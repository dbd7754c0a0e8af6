//! Rollup cell values in SQLite. They are 128-bit (`domain::rollup::cells`), SQLite's integers 64:
//! a value is stored as INTEGER while it fits 64 bits and as decimal TEXT beyond, in a column
//! without type affinity so SQLite converts neither form. Plain `value + excluded.value` would
//! turn a sum past 64 bits into a lossy REAL; `cell_add`, `cell_min` and `cell_max` do the
//! arithmetic on both forms instead, and fail the statement (so the transaction) where a sum
//! would leave 128 bits.

use domain::rollup::Op;
use domain::rollup::cells::Value;
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};

/// The message of the error `cell_add` fails with; the store recognises it.
pub(crate) const OUT_OF_RANGE: &str = "rollup cell value out of the 128-bit range";

/// One stored cell value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CellValue(pub Value);

impl ToSql for CellValue {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match i64::try_from(self.0) {
            Ok(small) => ToSqlOutput::from(small),
            Err(_) => ToSqlOutput::from(self.0.to_string()),
        })
    }
}

impl FromSql for CellValue {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        match value {
            ValueRef::Integer(small) => Ok(CellValue(small.into())),
            ValueRef::Text(text) => {
                std::str::from_utf8(text).ok().and_then(|text| text.parse().ok()).map(CellValue).ok_or_else(|| {
                    FromSqlError::Other(
                        format!("cell value {:?} is not an integer", String::from_utf8_lossy(text)).into(),
                    )
                })
            }
            _ => Err(FromSqlError::InvalidType),
        }
    }
}

/// Registers `cell_add`, `cell_min` and `cell_max` on `conn`.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    for (name, op) in [("cell_add", Op::Add), ("cell_min", Op::Min), ("cell_max", Op::Max)] {
        conn.create_scalar_function(name, 2, flags, move |context| {
            let a: CellValue = context.get(0)?;
            let b: CellValue = context.get(1)?;
            op.checked_merge(a.0, b.0)
                .map(CellValue)
                .ok_or_else(|| rusqlite::Error::UserFunctionError(OUT_OF_RANGE.into()))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(conn: &Connection, a: Value, b: Value) -> rusqlite::Result<Value> {
        conn.query_row("SELECT cell_add(?1, ?2)", (CellValue(a), CellValue(b)), |row| row.get::<_, CellValue>(0))
            .map(|value| value.0)
    }

    #[test]
    fn sums_cross_64_bits_exactly_and_fail_past_128() {
        let conn = Connection::open_in_memory().expect("db");
        register(&conn).expect("functions");
        let big = Value::from(i64::MAX);
        assert_eq!(add(&conn, big, big), Ok(2 * big));
        assert_eq!(add(&conn, 2 * big, -(2 * big)), Ok(0));
        let error = add(&conn, Value::MAX, 1).expect_err("overflow");
        assert!(error.to_string().contains(OUT_OF_RANGE), "{error}");
        let stored: String = conn
            .query_row("SELECT typeof(cell_add(?1, ?2))", (CellValue(big), CellValue(big)), |row| row.get(0))
            .expect("type");
        assert_eq!(stored, "text", "past 64 bits a value is text, never real");
    }
}
