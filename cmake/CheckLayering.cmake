# Fails when a layer includes a header it must not depend on:
# core/ includes nothing from server/ or app/ nor any widget header, and
# server/ includes nothing from app/. Run with:
#   cmake -DSOURCE_DIR=<repo> -P cmake/CheckLayering.cmake

set(violations "")

function(check_folder folder pattern)
  file(GLOB_RECURSE sources "${SOURCE_DIR}/${folder}/*.h" "${SOURCE_DIR}/${folder}/*.cpp")
  foreach(source IN LISTS sources)
    file(STRINGS "${source}" lines REGEX "^[ \t]*#[ \t]*include")
    foreach(line IN LISTS lines)
      if(line MATCHES "${pattern}")
        list(APPEND violations "${source}: ${line}")
      endif()
    endforeach()
  endforeach()
  set(violations "${violations}" PARENT_SCOPE)
endfunction()

check_folder(core "[\"<](server|app)/|<Qt(Widgets|Charts|Gui)|<Q(Widget|Application|Chart)")
check_folder(server "[\"<]app/|<Qt(Widgets|Charts)|<QWidget")

if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "Layering violated:\n  ${text}")
endif()
message(STATUS "Layering holds: core and server include no higher layer.")
