#pragma once

namespace rtcwire::base {

// One visitor out of several lambdas, for std::visit over the cores' event and action variants.
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace rtcwire::base
