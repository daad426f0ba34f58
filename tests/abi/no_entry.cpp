// A shared library that is not an mmhost plugin: exports no mmh_plugin_init.
extern "C" __attribute__((visibility("default"))) int some_other_function() {
  return 42;
}
