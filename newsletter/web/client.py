"""The one HTTP client: every request the tool makes (pages, feeds, links, images) goes here.

Redirects are followed by hand, each hop checked (http(s) only, never from a public address
into a private one, checked at the address connected to); the whole exchange has a deadline,
kept by the sockets under httpx (`transport`); a body is read raw and decompressed here in
bounded pieces (`decoding`), never past a limit. Failures are one line without the URL, for
the caller to show with it.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from http.cookiejar import CookieJar
from typing import TYPE_CHECKING, Literal, TypeVar
from urllib.parse import urlsplit

from newsletter import __version__
from newsletter.web.addresses import may_redirect_inward, redirect_problem

if TYPE_CHECKING:
    import httpx

USER_AGENT = f"newsletter/{__version__} (a tool that curates an email newsletter)"
"""No address in it: the PyPI project of that name is another one."""
MAX_REDIRECTS = 5
DEADLINE = 3
"""The whole exchange (connecting, every redirect, the headers and the body) may take this
many times the timeout: a trickling server resets the read timeout with every byte."""

Failure = Literal["no-answer", "bad-answer", "bad-redirect", "too-large"]
"""Why a request failed: nothing came (no host, refused, timed out, too slow), what came was
broken (a dropped connection, damaged compression), a redirect that must not be followed, or
a body over the limit."""

T = TypeVar("T")
R = TypeVar("R")


class FetchError(Exception):
    """A request that failed, said in one line without its URL (the caller shows it)."""

    def __init__(self, message: str, failure: Failure) -> None:
        super().__init__(message)
        self.failure = failure


@dataclass(frozen=True)
class Response:
    """What a server answered, after redirects: the status, what the body is, and its bytes
    (as many as were asked for)."""

    url: str  # as asked for
    final_url: str  # after redirects
    hops: int  # redirects followed
    status: int
    reason: str
    media_type: str  # from Content-Type, without parameters, lower-case; "" if none
    charset: str | None  # from Content-Type, if any
    length: int | None  # from Content-Length, if any and the body is not compressed
    body: bytes

    @property
    def ok(self) -> bool:
        """A 2xx status."""
        return 200 <= self.status < 300

    @property
    def status_text(self) -> str:
        """The status in one line with its standard phrase, e.g. `HTTP 404 Not Found`."""
        return describe_status(self.status, self.reason)


class Client:
    """An HTTP client for a batch of requests: at most `concurrency` at once, each with
    `timeout` seconds for every wait and three times that for the whole exchange."""

    def __init__(self, *, timeout: float, concurrency: int = 4) -> None:
        import httpx

        from newsletter.web.decoding import ACCEPT_ENCODING
        from newsletter.web.transport import transport

        self.timeout = timeout
        self.concurrency = max(1, concurrency)
        limits = httpx.Limits(max_connections=self.concurrency)
        context = httpx.create_ssl_context()  # certificates from certifi, or SSL_CERT_FILE
        cookies = CookieJar()  # one jar, as for one client: sites that redirect may set some

        def client(*, public_only: bool) -> httpx.Client:
            return httpx.Client(
                headers={"User-Agent": USER_AGENT, "Accept-Encoding": ACCEPT_ENCODING},
                cookies=cookies,
                timeout=httpx.Timeout(timeout),
                transport=transport(limits=limits, context=context, public_only=public_only),
                follow_redirects=False,  # followed by hand: each hop is checked first
            )

        self._http = client(public_only=False)
        # Redirects from a public address go through connections of their own, each made to
        # an address found public: a connection left open by a request the editor asked for,
        # to a private address, must not serve them.
        self._public = client(public_only=True)

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self._http.close()
        self._public.close()

    def fetch(
        self,
        url: str,
        *,
        accept: str,
        method: str = "GET",
        limit: int = 0,
        truncate: bool = False,
        read_if: Callable[[Response], bool] | None = None,
    ) -> Response:
        """Request `url`, follow its redirects, and read at most `limit` bytes of the final
        body (0: none), if `read_if` says so of the response as it stands before. A longer
        body is a FetchError, or with `truncate` is cut at `limit`."""
        import httpx

        from newsletter.web.transport import AddressRefused, DeadlinePassed, deadline

        seconds = DEADLINE * self.timeout
        try:
            with deadline(time.monotonic() + seconds):
                response, hops = self._follow(method, url, accept)
                try:
                    head = _response(url, response, hops, b"")
                    if read_if is not None and not read_if(head):
                        limit = 0
                    if limit and not truncate and _length(response, limit):
                        raise FetchError(f"larger than {size_text(limit)}", "too-large")
                    body = self._read(response, limit, truncate) if limit else b""
                finally:
                    response.close()
        except FetchError:
            raise
        except DeadlinePassed:
            raise FetchError(f"no full answer within {seconds:g} s", "no-answer") from None
        except AddressRefused as refused:
            raise FetchError(str(refused), "bad-redirect") from None
        except httpx.TimeoutException:
            raise FetchError(f"no answer within {self.timeout:g} s", "no-answer") from None
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, OSError, ValueError) as e:
            raise _failure(e, url) from None
        return _response(url, response, hops, body)

    def fetch_wanted(
        self,
        url: str,
        *,
        accept: str,
        limit: int,
        refusal: Callable[[Response], str | None],
        what: str,
    ) -> Response:
        """`fetch` a `what` ("page", "image") of at most `limit` bytes, refused (FetchError)
        when `refusal` gives a reason: judged on the headers, before the body is read."""
        try:
            response = self.fetch(
                url, accept=accept, limit=limit, read_if=lambda head: refusal(head) is None
            )
        except FetchError as error:
            if error.failure == "too-large":
                raise FetchError(f"the {what} is {error}", "too-large") from None
            raise
        if (reason := refusal(response)) is not None:
            raise FetchError(reason, "bad-answer")
        return response

    def map(
        self,
        work: Callable[[T], R],
        items: Sequence[T],
        progress: Callable[[int], None] | None = None,
    ) -> list[R]:
        """`work` on every item, `concurrency` at a time, the results in the items' order;
        `progress(total)` after each. Interrupted (Ctrl-C), it does not wait for the rest."""
        pool = ThreadPoolExecutor(max_workers=max(1, min(self.concurrency, len(items))))
        try:
            results = []
            for result in pool.map(work, items):
                results.append(result)
                if progress is not None:
                    progress(len(items))
            return results
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    def _follow(self, method: str, url: str, accept: str) -> tuple[httpx.Response, int]:
        """The final response to `method url` (open: close it), and the redirects taken."""
        request = self._http.build_request(method, url, headers={"Accept": accept})
        via = self._http
        for hops in range(MAX_REDIRECTS + 1):
            response = via.send(request, stream=True)
            if response.next_request is None:
                return response, hops
            response.close()
            request = response.next_request
            scheme = request.url.scheme
            if scheme not in ("http", "https"):
                message = f"the server redirects to a {scheme}: address, not an http(s) one"
                raise FetchError(message, "bad-redirect")
            origin = str(response.url)
            if problem := redirect_problem(origin, str(request.url)):
                raise FetchError(problem, "bad-redirect")
            # A host name is checked at the address `via` connects to, not looked up here.
            via = self._http if may_redirect_inward(origin) else self._public
        raise FetchError(f"more than {MAX_REDIRECTS} redirects (a redirect loop?)", "bad-redirect")

    def _read(self, response: httpx.Response, limit: int, truncate: bool) -> bytes:
        """The body, decompressed as it comes, up to `limit` bytes (a longer one is refused or,
        with `truncate`, cut); no layer of compression may unpack much past the limit."""
        from newsletter.web import decoding

        encodings = decoding.encodings_of(response.headers.get_list("content-encoding"))
        try:
            return decoding.read(response.iter_raw(), encodings, limit, truncate=truncate)
        except decoding.TooLarge:
            raise FetchError(f"larger than {size_text(limit)}", "too-large") from None
        except decoding.Undecodable as error:
            raise FetchError(str(error), "bad-answer") from None
        except decoding.DecodingError:
            raise FetchError("the compressed data is damaged", "bad-answer") from None


def _length(response: httpx.Response, limit: int) -> bool:
    """Whether the response's Content-Length says its body is over `limit`."""
    length = response.headers.get("content-length", "")
    return length.isdigit() and int(length) > limit


def _response(url: str, response: httpx.Response, hops: int, body: bytes) -> Response:
    content_type = response.headers.get("content-type", "")
    length = response.headers.get("content-length", "")
    # Of a compressed body, Content-Length tells the bytes sent, not the size of what it holds.
    encodings = response.headers.get_list("content-encoding", split_commas=True)
    encoded = any(name.lower() != "identity" for name in encodings)
    return Response(
        url=url,
        final_url=str(response.url),
        hops=hops,
        status=response.status_code,
        reason=response.reason_phrase,
        media_type=content_type.partition(";")[0].strip().lower(),
        charset=response.charset_encoding,
        length=int(length) if length.isdigit() and not encoded else None,
        body=body,
    )


def describe_status(status: int, reason: str = "") -> str:
    """An HTTP status in one line with its standard phrase, e.g. `HTTP 404 Not Found`."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = reason
    return f"HTTP {status} {phrase}".strip()


def size_text(n: int) -> str:
    """A number of bytes as people read it: `5 MB`, `30.5 kB`, `800 bytes`."""
    if n >= 1_000_000:
        return f"{round(n / 1_000_000, 2):g} MB"
    if n >= 1000:
        return f"{round(n / 1000, 1):g} kB"
    return f"{n} bytes"


def _failure(error: Exception, url: str) -> FetchError:
    """A network failure in the user's words, found in the chain of exceptions under `error`."""
    import httpx

    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, socket.gaierror):
            return FetchError(f"could not find the host {urlsplit(url).hostname}", "no-answer")
        if isinstance(cause, ConnectionRefusedError):
            return FetchError("the server refused the connection", "no-answer")
        if isinstance(cause, ssl.SSLCertVerificationError):
            reason = cause.verify_message or "not valid"
            message = f"the site's security certificate is not valid: {reason}"
            return FetchError(message, "no-answer")
        if isinstance(cause, ssl.SSLError):
            reason = (cause.reason or str(cause)).lower().replace("_", " ")
            return FetchError(f"no secure (TLS) connection could be made: {reason}", "no-answer")
        if isinstance(cause, httpx.RemoteProtocolError):
            message = "the server broke off the connection or answered gibberish"
            return FetchError(message, "bad-answer")
        if isinstance(cause, ConnectionResetError):
            return FetchError("the server reset the connection", "bad-answer")
        cause = cause.__cause__ or cause.__context__
    failure: Failure = "no-answer" if isinstance(error, httpx.ConnectError) else "bad-answer"
    return FetchError(_said(error), failure)


def _said(error: Exception) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return f"the request failed: {text}"
