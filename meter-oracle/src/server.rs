//! The local HTTP endpoint the node's offchain worker talks to. Bodies are SCALE-encoded
//! (`daeg_primitives::consumption::oracle_api`); `/status` is JSON for people.

use bytes::Bytes;
use codec::{Decode, Encode};
use daeg_primitives::{
	consumption::oracle_api::{DELIVERED_PATH, MAX_READINGS_PER_RESPONSE, READINGS_PATH},
	IntervalIndex, MeterId,
};
use http_body_util::{BodyExt, Full, Limited};
use hyper::{
	body::Incoming, server::conn::http1, service::service_fn, Method, Request, Response, StatusCode,
};
use hyper_util::rt::TokioIo;
use std::convert::Infallible;
use tokio::net::TcpListener;

use crate::poller::{locked, SharedQueue, SharedStatus};

/// The largest request body accepted (a delivery report of every meter fits easily).
const MAX_BODY: usize = 1 << 20;

fn reply(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
	let mut response = Response::new(Full::new(body.into()));
	*response.status_mut() = status;
	response
}

async fn handle(
	req: Request<Incoming>,
	queue: SharedQueue,
	status: SharedStatus,
) -> Result<Response<Full<Bytes>>, Infallible> {
	Ok(match (req.method(), req.uri().path()) {
		(&Method::GET, READINGS_PATH) => {
			let pending = locked(&queue).pending(MAX_READINGS_PER_RESPONSE as usize);
			reply(StatusCode::OK, pending.encode())
		}
		(&Method::POST, DELIVERED_PATH) => {
			let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
				Ok(b) => b.to_bytes(),
				Err(e) => return Ok(reply(StatusCode::BAD_REQUEST, format!("body: {e}"))),
			};
			let Ok(held) = Vec::<(MeterId, IntervalIndex)>::decode(&mut &body[..]) else {
				return Ok(reply(
					StatusCode::BAD_REQUEST,
					"expected a SCALE Vec<(MeterId, IntervalIndex)>",
				));
			};
			match locked(&queue).delivered(&held) {
				Ok(n) => {
					if n > 0 {
						log::info!("{n} readings are on chain and forgotten");
					}
					reply(StatusCode::OK, n.to_string())
				}
				Err(e) => {
					log::error!("{e}");
					reply(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
				}
			}
		}
		(&Method::GET, "/status") => {
			let pending = locked(&queue).len();
			let meters = locked(&status).clone();
			let body = serde_json::json!({ "pending": pending, "meters": meters });
			reply(StatusCode::OK, body.to_string())
		}
		_ => reply(StatusCode::NOT_FOUND, "not found"),
	})
}

/// Serves the endpoint on `listener` forever.
pub async fn serve(listener: TcpListener, queue: SharedQueue, status: SharedStatus) {
	loop {
		let stream = match listener.accept().await {
			Ok((stream, _)) => stream,
			Err(e) => {
				log::warn!("accept: {e}");
				continue;
			}
		};
		let (queue, status) = (queue.clone(), status.clone());
		tokio::spawn(async move {
			let service = service_fn(move |req| handle(req, queue.clone(), status.clone()));
			if let Err(e) =
				http1::Builder::new().serve_connection(TokioIo::new(stream), service).await
			{
				log::debug!("connection: {e}");
			}
		});
	}
}
