#include "rfc3339.h"

namespace adcp::wire {

namespace {

// Reads exactly `count` digits at `pos` into `value`; advances `pos`.
bool readDigits(std::string_view text, size_t &pos, size_t count, int &value)
{
    if (pos + count > text.size())
        return false;
    value = 0;
    for (size_t i = 0; i < count; ++i) {
        const char c = text[pos + i];
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + (c - '0');
    }
    pos += count;
    return true;
}

bool expect(std::string_view text, size_t &pos, char c)
{
    if (pos >= text.size() || text[pos] != c)
        return false;
    ++pos;
    return true;
}

int daysInMonth(int year, int month)
{
    static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2) {
        const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        return leap ? 29 : 28;
    }
    return kDays[month - 1];
}

bool readFullDate(std::string_view text, size_t &pos)
{
    int year = 0, month = 0, day = 0;
    return readDigits(text, pos, 4, year) && expect(text, pos, '-') && readDigits(text, pos, 2, month) &&
           month >= 1 && month <= 12 && expect(text, pos, '-') && readDigits(text, pos, 2, day) && day >= 1 &&
           day <= daysInMonth(year, month);
}

bool readFullTime(std::string_view text, size_t &pos)
{
    int hour = 0, minute = 0, second = 0;
    if (!(readDigits(text, pos, 2, hour) && hour <= 23 && expect(text, pos, ':') &&
          readDigits(text, pos, 2, minute) && minute <= 59 && expect(text, pos, ':') &&
          readDigits(text, pos, 2, second) && second <= 60))
        return false;
    if (pos < text.size() && text[pos] == '.') {
        ++pos;
        const size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9')
            ++pos;
        if (pos == start)
            return false;
    }
    if (pos >= text.size())
        return false; // RFC 3339 requires a time zone
    const char zone = text[pos++];
    if (zone == 'Z' || zone == 'z')
        return true;
    if (zone != '+' && zone != '-')
        return false;
    int offsetHour = 0, offsetMinute = 0;
    return readDigits(text, pos, 2, offsetHour) && offsetHour <= 23 && expect(text, pos, ':') &&
           readDigits(text, pos, 2, offsetMinute) && offsetMinute <= 59;
}

} // namespace

bool isRfc3339DateTime(std::string_view text)
{
    size_t pos = 0;
    if (!readFullDate(text, pos))
        return false;
    if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't'))
        return false;
    ++pos;
    return readFullTime(text, pos) && pos == text.size();
}

bool isRfc3339Date(std::string_view text)
{
    size_t pos = 0;
    return readFullDate(text, pos) && pos == text.size();
}

} // namespace adcp::wire
