// The one object that compiles Asio, its TLS layer and Beast (see cmake/AsioLibrary.cmake): every
// other object is built with BOOST_*_SEPARATE_COMPILATION and only declares what these define.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
