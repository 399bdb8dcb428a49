#pragma once

// Boost 1.74's Asio coroutine headers use std::exchange without including <utility> (GCC 12).
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

namespace chorus::http {

namespace asio = boost::asio;
namespace beast = boost::beast;

using Request = beast::http::request<beast::http::string_body>;
using Response = beast::http::response<beast::http::string_body>;
using Verb = beast::http::verb;

}  // namespace chorus::http
