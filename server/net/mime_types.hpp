// Content-Type of a served file, chosen by its name.
#pragma once

#include <string_view>

namespace rtcwire::server {

// application/octet-stream for names it does not know.
std::string_view mime_type_for(std::string_view file_name);

}  // namespace rtcwire::server
