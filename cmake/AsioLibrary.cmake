# Asio, its TLS layer and Beast compiled once (ADR 0033). Header-only, every object that includes
# them compiled their non-template code again (the scheduler, the reactor, the TLS engine, Beast's
# WebSocket and zlib helpers). A target that links `mmhost_asio` gets the definitions below, so its
# objects only declare that code, and the one object of `mmhost_asio` defines it.
add_library(mmhost_asio STATIC ${CMAKE_CURRENT_LIST_DIR}/asio_impl.cpp)
target_compile_definitions(mmhost_asio PUBLIC BOOST_ASIO_SEPARATE_COMPILATION
                                              BOOST_BEAST_SEPARATE_COMPILATION)
target_link_libraries(mmhost_asio PUBLIC Boost::headers OpenSSL::SSL OpenSSL::Crypto Threads::Threads)
