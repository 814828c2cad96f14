// libFuzzer target: Messages::decodeBody for every message type, dispatching on the first byte
// as FramedConnection and the sessions do. A body that decodes must encode again, and that
// encoding must decode to the same encoding (decoding is stable, nothing is half-read).

#include "protocol/messages.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace {

template<typename T>
void check(const QByteArray &body)
{
    T message;
    if (!Messages::decodeBody(body, message))
        return;
    const QByteArray once = Messages::encodeFrame(message).mid(4);
    T again;
    if (!Messages::decodeBody(once, again))
        std::abort();
    if (Messages::encodeFrame(again).mid(4) != once)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    const auto type = Messages::messageType(body);
    if (!type)
        return 0;
    using Protocol::MessageType;
    switch (*type) {
    case MessageType::Challenge: check<Messages::Challenge>(body); break;
    case MessageType::Response: check<Messages::Response>(body); break;
    case MessageType::Welcome: check<Messages::Welcome>(body); break;
    case MessageType::AuthRejected: check<Messages::AuthRejected>(body); break;
    case MessageType::Heartbeat: check<Messages::Heartbeat>(body); break;
    case MessageType::Goodbye: check<Messages::Goodbye>(body); break;
    case MessageType::WorkerHello: check<Messages::WorkerHello>(body); break;
    case MessageType::AssignTasks: check<Messages::AssignTasks>(body); break;
    case MessageType::TaskResults: check<Messages::TaskResults>(body); break;
    case MessageType::CancelTasks: check<Messages::CancelTasks>(body); break;
    case MessageType::ReturnTasks: check<Messages::ReturnTasks>(body); break;
    case MessageType::WorkerDraining: check<Messages::WorkerDraining>(body); break;
    case MessageType::ReclaimTasks: check<Messages::ReclaimTasks>(body); break;
    case MessageType::DrainWorker: check<Messages::DrainWorker>(body); break;
    case MessageType::TaskStarted: check<Messages::TaskStarted>(body); break;
    case MessageType::Submit: check<Messages::Submit>(body); break;
    case MessageType::Submitted: check<Messages::Submitted>(body); break;
    case MessageType::Watch: check<Messages::Watch>(body); break;
    case MessageType::TaskUpdates: check<Messages::TaskUpdates>(body); break;
    case MessageType::StatusRequest: check<Messages::StatusRequest>(body); break;
    case MessageType::StatusReply: check<Messages::StatusReply>(body); break;
    case MessageType::CancelRequest: check<Messages::CancelRequest>(body); break;
    case MessageType::CancelReply: check<Messages::CancelReply>(body); break;
    case MessageType::RequestFailed: check<Messages::RequestFailed>(body); break;
    }
    return 0;
}
