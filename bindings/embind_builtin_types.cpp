// Stands in for embind's bind.cpp (its two functions, so the linker never pulls that file in):
// the built-in types registered are only those the ClientCore binding passes (void, bool, the
// integer and floating types, std::string) and emscripten::val (embind's JS names its Emval
// handles in code Closure must resolve). bind.cpp also registers std::wstring, u16string,
// u32string, basic_string<unsigned char>, 64-bit integers and 17 memory views, and each brings
// its JS converters into the glue. A binding that starts passing one of those
// fails at load with embind's "unbound types" error (the js tier shows it): register it here.
#include <emscripten/bind.h>
#include <emscripten/emscripten.h>

#include <cstdio>
#include <cstring>
#include <limits>
#include <string>

namespace {

using emscripten::internal::TypeID;

template <typename T>
void register_integer(const char* name) {
  emscripten::internal::_embind_register_integer(TypeID<T>::get(), name, sizeof(T),
                                                 std::numeric_limits<T>::min(),
                                                 std::numeric_limits<T>::max());
}

template <typename T>
void register_float(const char* name) {
  emscripten::internal::_embind_register_float(TypeID<T>::get(), name, sizeof(T));
}

}  // namespace

extern "C" {

// embind names a type in its errors by this; built without RTTI, by its id's address (as
// bind.cpp does).
EMSCRIPTEN_KEEPALIVE const char* __getTypeName(const void* type) {
  char name[24];
  std::snprintf(name, sizeof name, "%p", type);
  return strdup(name);
}

EMSCRIPTEN_KEEPALIVE __attribute__((constructor)) void
__embind_register_native_and_builtin_types() {
  using namespace emscripten::internal;
  _embind_register_void(TypeID<void>::get(), "void");
  _embind_register_bool(TypeID<bool>::get(), "bool", sizeof(bool), true, false);
  register_integer<char>("char");
  register_integer<signed char>("signed char");
  register_integer<unsigned char>("unsigned char");
  register_integer<short>("short");
  register_integer<unsigned short>("unsigned short");
  register_integer<int>("int");
  register_integer<unsigned int>("unsigned int");
  register_integer<long>("long");
  register_integer<unsigned long>("unsigned long");
  register_float<float>("float");
  register_float<double>("double");
  _embind_register_std_string(TypeID<std::string>::get(), "std::string");
  _embind_register_emval(TypeID<emscripten::val>::get(), "emscripten::val");
}

}  // extern "C"
