#pragma once

// Value-or-error type for every fallible call in Valiant. C++20 has no
// std::expected, so this is the small part of it that the code uses.

#include <QString>

#include <utility>
#include <variant>

namespace valiant::core {

/// A rejection: an HTTP status, a stable snake_case code from the API and a
/// sentence for a person. Core rules use 422; the server adds the others.
struct Error
{
    int status = 422;
    QString code;
    QString message;
};

template <typename T>
class Result
{
public:
    Result(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : m_data(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T& value() const& { return std::get<0>(m_data); }
    T& value() & { return std::get<0>(m_data); }
    T&& value() && { return std::get<0>(std::move(m_data)); }
    const T& operator*() const& { return value(); }
    const T* operator->() const { return &value(); }
    T* operator->() { return &value(); }

    const Error& error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

/// Result of a call that returns nothing on success.
struct Ok
{
};

inline Error makeError(int status, QString code, QString message)
{
    return Error{status, std::move(code), std::move(message)};
}

}  // namespace valiant::core
