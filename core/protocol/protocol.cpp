#include "protocol.h"

namespace Protocol {

bool isKnownMessageType(quint8 type)
{
    switch (MessageType(type)) {
    case MessageType::Challenge:
    case MessageType::Response:
    case MessageType::Welcome:
    case MessageType::AuthRejected:
    case MessageType::Heartbeat:
    case MessageType::Goodbye:
    case MessageType::WorkerHello:
    case MessageType::AssignTasks:
    case MessageType::TaskResults:
    case MessageType::CancelTasks:
    case MessageType::ReturnTasks:
    case MessageType::WorkerDraining:
    case MessageType::ReclaimTasks:
    case MessageType::DrainWorker:
    case MessageType::TaskStarted:
    case MessageType::Submit:
    case MessageType::Submitted:
    case MessageType::Watch:
    case MessageType::TaskUpdates:
    case MessageType::StatusRequest:
    case MessageType::StatusReply:
    case MessageType::CancelRequest:
    case MessageType::CancelReply:
    case MessageType::RequestFailed:
        return true;
    }
    return false;
}

const char *messageTypeName(MessageType type)
{
    switch (type) {
    case MessageType::Challenge: return "Challenge";
    case MessageType::Response: return "Response";
    case MessageType::Welcome: return "Welcome";
    case MessageType::AuthRejected: return "AuthRejected";
    case MessageType::Heartbeat: return "Heartbeat";
    case MessageType::Goodbye: return "Goodbye";
    case MessageType::WorkerHello: return "WorkerHello";
    case MessageType::AssignTasks: return "AssignTasks";
    case MessageType::TaskResults: return "TaskResults";
    case MessageType::CancelTasks: return "CancelTasks";
    case MessageType::ReturnTasks: return "ReturnTasks";
    case MessageType::WorkerDraining: return "WorkerDraining";
    case MessageType::ReclaimTasks: return "ReclaimTasks";
    case MessageType::DrainWorker: return "DrainWorker";
    case MessageType::TaskStarted: return "TaskStarted";
    case MessageType::Submit: return "Submit";
    case MessageType::Submitted: return "Submitted";
    case MessageType::Watch: return "Watch";
    case MessageType::TaskUpdates: return "TaskUpdates";
    case MessageType::StatusRequest: return "StatusRequest";
    case MessageType::StatusReply: return "StatusReply";
    case MessageType::CancelRequest: return "CancelRequest";
    case MessageType::CancelReply: return "CancelReply";
    case MessageType::RequestFailed: return "RequestFailed";
    }
    return "Unknown";
}

} // namespace Protocol
